/*
 * fuzz_unpack.c - libFuzzer target for rollsafe's decoder of libpg_query's packed parse tree
 * (lib/sql/unpack.c). Any bytes must be decoded or refused without a crash, and the tree of any
 * SQL that parses must be the one protobuf-c's own unpacker gives.
 *
 * The work is in harness.c (shared with the regression replay). Built and run by
 * tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int fuzz_unpack_one(const uint8_t *data, size_t size);
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
    return fuzz_unpack_one(data, size);
}
