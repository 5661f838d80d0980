/*
 * Fuzz target: lines of `hostsd trust import` (registry/import.c). The
 * input is split at newlines as the command does; every line that parses
 * must give a valid host identity, valid grants and a key, and its
 * comment must be printable text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/import.h"
#include "registry/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t pos = 0;
	char err[512];
	while (pos <= size) {
		const char *nl = size > pos ? memchr(text + pos, '\n', size - pos) : NULL;
		size_t len = nl != NULL ? (size_t)(nl - (text + pos)) : size - pos;
		struct hsd_import_entry e;
		int r = hsd_import_parse_line(text + pos, len, &e, err, sizeof err);
		if (r > 0) {
			if (!hsd_host_id_valid(e.host_id) || e.key == NULL || e.ngrants > HSD_MAX_GRANTS ||
			    !hsd_text_valid(e.comment, strlen(e.comment)))
				abort();
			for (size_t i = 0; i < e.ngrants; i++)
				if (!hsd_grant_name_valid(e.grants[i]))
					abort();
			hsd_import_entry_clear(&e);
		} else if (r < 0) {
			if (err[0] == '\0' || e.key != NULL)
				abort();
		}
		if (nl == NULL)
			break;
		pos += len + 1;
	}
	return 0;
}
