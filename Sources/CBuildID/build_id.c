#define _GNU_SOURCE
#include <link.h>
#include <string.h>
#include "build_id.h"

struct search { unsigned char *out; size_t capacity; size_t length; };

/* The first object dl_iterate_phdr reports is the program itself; its PT_NOTE segments are
   in memory, each a list of (namesz, descsz, type, name, desc) records padded to 4 bytes. */
static int visit(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct search *s = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE) continue;
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        size_t offset = 0, end = ph->p_memsz;
        while (offset + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(p + offset);
            size_t name = offset + sizeof(ElfW(Nhdr));
            size_t desc = name + ((n->n_namesz + 3) & ~(size_t)3);
            if (desc + n->n_descsz > end) break;
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(p + name, "GNU", 4) == 0) {
                size_t len = n->n_descsz < s->capacity ? n->n_descsz : s->capacity;
                memcpy(s->out, p + desc, len);
                s->length = len;
                return 1;
            }
            offset = desc + ((n->n_descsz + 3) & ~(size_t)3);
        }
    }
    return 1; /* the program only, not its libraries */
}

size_t tally_build_id(unsigned char *out, size_t capacity) {
    struct search s = { out, capacity, 0 };
    dl_iterate_phdr(visit, &s);
    return s.length;
}
