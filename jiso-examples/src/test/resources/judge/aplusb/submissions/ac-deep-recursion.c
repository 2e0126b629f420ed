#include <stdio.h>
/*
 * Adds b to a one at a time through 1,000,000 nested calls (a frame of about
 * 100 bytes each): ~100 MiB of stack, more than the default 8 MiB.
 */
static long long add(long long a, long long depth, volatile char *up) {
    volatile char frame[64];
    frame[0] = up[0];
    if (depth == 0) return a;
    return add(a, depth - 1, frame) + frame[0] * 0;
}
int main(void) {
    long long a, b;
    scanf("%lld %lld", &a, &b);
    char start[1] = {0};
    printf("%lld\n", add(a, 1000000, start) + b);
    return 0;
}
