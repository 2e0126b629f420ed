#include <stdlib.h>
/* Allocating alone costs nothing: every page is written (volatile, so the compiler keeps the writes). */
int main(void) {
    size_t size = 1UL << 30;
    volatile char *p = malloc(size);
    if (p == NULL) return 1;
    for (size_t i = 0; i < size; i += 4096) p[i] = 1;
    return 0;
}
