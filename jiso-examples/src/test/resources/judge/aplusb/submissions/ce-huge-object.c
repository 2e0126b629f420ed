/* 1 GiB of initialised data: the object file the assembler writes passes the compile's RLIMIT_FSIZE. */
char big[1 << 30] = {1};
int main(void) { return big[0]; }
