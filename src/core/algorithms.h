/*
 * Every algorithm name the server implements, which list it belongs to,
 * and which protocol profiles (shared/DESIGN.md) offer it. The default
 * lists, a profile's lists and the check of a configured list all come
 * from this one table, so they cannot disagree.
 */
#ifndef HS_CORE_ALGORITHMS_H
#define HS_CORE_ALGORITHMS_H

#include <stddef.h>

enum hs_alg_list {
	HS_ALGS_KEX,
	HS_ALGS_HOSTKEY,
	HS_ALGS_CIPHER,
	HS_ALGS_MAC,
	HS_ALGS_COMPRESSION,
	HS_ALGS_PUBKEY, /* user key signature algorithms (server-sig-algs) */
	HS_ALGS_COUNT
};

/* Profile bits. */
#define HS_PROFILE_MODERN 1u
#define HS_PROFILE_ANGELOS 2u
#define HS_PROFILE_CLASSIC 4u
#define HS_PROFILE_ALL 7u

/* The setting's name in messages ("ciphers", "MACs", ...). */
const char *hs__algs_setting(enum hs_alg_list list);

/* Is name implemented for this list (offered by default or opt-in)? */
int hs__algs_known(enum hs_alg_list list, const char *name);

/* Is name one we refuse to offer, ever (SHA-1, CBC, DSA, ...)? */
int hs__algs_weak(const char *name);

/* The comma-separated list of the names of list that the profiles in mask
 * offer, strongest first, into out. Returns the length, or 0 when none
 * (out is then ""). outsz of HS_ALGS_LIST_MAX always fits. */
#define HS_ALGS_LIST_MAX 512
size_t hs__algs_profile_list(enum hs_alg_list list, unsigned mask, char *out, size_t outsz);

/* Every name list may take (opt-in ones too), comma-separated, for
 * messages. */
size_t hs__algs_all_names(enum hs_alg_list list, char *out, size_t outsz);

/* Parse "modern,classic" into profile bits. Returns 0, or -1 with the
 * offending name (at most namesz - 1 bytes) in bad. */
int hs__algs_parse_profiles(const char *text, unsigned *mask, char *bad, size_t badsz);

#endif
