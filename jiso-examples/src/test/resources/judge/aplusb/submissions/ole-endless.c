#include <stdio.h>
int main(void) {
    for (;;) {
        puts("the same line, again and again");
    }
}
