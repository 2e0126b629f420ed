#include <unistd.h>
/* Every process forks on, failing or not: the pids limit stops the growth, the CPU time limit the run. */
int main(void) {
    for (;;) {
        fork();
    }
}
