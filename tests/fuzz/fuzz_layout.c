/*
 * fuzz_layout.c - libFuzzer target for the file reader and layout detection. The input becomes the
 * files of one of the layouts (first byte), with a symbolic-link loop, a FIFO, a dangling link or
 * a directory named like a migration added on request (second byte); the directory is detected,
 * loaded with the layout named too, and the first file is read and indexed on its own.
 *
 * The work is in harness.c (shared with the regression replay). Built and run by
 * tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int fuzz_layout_one(const uint8_t *data, size_t size);
void fuzz_cleanup(void);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    atexit(fuzz_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_layout_one(data, size);
}
