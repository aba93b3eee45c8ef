/* The cost of reading a CSV file with libcsv and nothing else (Benchmarks/bounds.sh): the file
 * mapped, fed to csv_parse in 1 MiB chunks as Tally's RowParser feeds it, every field and row
 * counted by callbacks that do nothing more. What Tally does on top (validation, copies, JSON
 * arrays, fingerprints, the store) can only add to this. */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>

static long fields, rows;
static void field(void *s, size_t n, void *data) { (void)s; (void)n; (void)data; fields++; }
static void row(int c, void *data) { (void)c; (void)data; rows++; }

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FILE.csv\n", argv[0]); return 2; }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) { perror(argv[1]); return 1; }
    const char *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    struct csv_parser c;
    csv_init(&c, CSV_APPEND_NULL);
    const size_t chunk = 1 << 20;
    for (size_t o = 0; o < (size_t)st.st_size; o += chunk) {
        size_t n = o + chunk > (size_t)st.st_size ? (size_t)st.st_size - o : chunk;
        if (csv_parse(&c, p + o, n, field, row, NULL) != n) { fprintf(stderr, "libcsv: %s\n", csv_strerror(csv_error(&c))); return 1; }
    }
    csv_fini(&c, field, row, NULL);
    printf("%ld rows, %ld fields\n", rows, fields);
    return 0;
}
