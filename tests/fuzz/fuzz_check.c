/*
 * fuzz_check.c - libFuzzer target for parse + replay + rules + reports on arbitrary input. The
 * input is up to six plain migrations (split on the line "--8<--"), checked with every rule on and
 * rendered in every report format.
 *
 * The work is in harness.c (shared with the regression replay). Built and run by
 * tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int fuzz_check_one(const uint8_t *data, size_t size);
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
    return fuzz_check_one(data, size);
}
