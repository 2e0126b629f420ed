#include <stdio.h>
/* Prints what it could read of the host's secrets, or "denied". */
int main(void) {
    const char *paths[] = {"/etc/shadow", "/proc/1/root/etc/shadow", "/proc/1/environ"};
    int read_any = 0;
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(paths[i], "r");
        if (f != NULL) {
            char line[256];
            if (fgets(line, sizeof line, f) != NULL) {
                printf("%s: %s\n", paths[i], line);
                read_any = 1;
            }
            fclose(f);
        }
    }
    if (!read_any) puts("denied");
    return 0;
}
