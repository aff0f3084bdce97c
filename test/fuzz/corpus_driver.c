/*
 * corpus_driver.c — run a fuzz harness over files without libFuzzer.
 *
 * Linked with label_fuzzer.c or vocabulary_fuzzer.c, it calls
 * LLVMFuzzerTestOneInput once per file named on the command line, so that
 * test/scripts/vocab_fuzz_corpus.sh (part of `make test`) replays the seed
 * corpora with ASan and UBSan in a second, with no clang or fuzzer runtime.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int			i;

	for (i = 1; i < argc; i++)
	{
		FILE	   *f = fopen(argv[i], "rb");
		uint8_t    *buf;
		long		n;

		if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
		{
			perror(argv[i]);
			return 2;
		}
		rewind(f);
		buf = malloc(n > 0 ? n : 1);
		if (buf == NULL || fread(buf, 1, n, f) != (size_t) n)
		{
			perror(argv[i]);
			return 2;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
		free(buf);
	}
	printf("%d input(s) passed\n", argc - 1);
	return 0;
}
