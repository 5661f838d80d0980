/*
 * hostsd program — value rules of the trust registry (see names.h): host
 * identities, grant names, UTC calendar dates and comment text. Dates are
 * converted with plain integer arithmetic on the proleptic Gregorian
 * calendar, so the result never depends on the local time zone or on
 * timegm() being available.
 */
#include "registry/names.h"

#include <stdio.h>
#include <string.h>

static int is_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int hsd_host_id_valid(const char *id)
{
	if (id == NULL || id[0] == '\0' || id[0] == '.' || id[0] == '-')
		return 0;
	size_t i = 0;
	for (; id[i] != '\0'; i++) {
		unsigned char c = (unsigned char)id[i];
		if (i >= HSD_HOST_ID_MAX)
			return 0;
		if (!is_alnum(c) && c != '.' && c != '_' && c != '-')
			return 0;
	}
	return 1;
}

int hsd_grant_name_valid(const char *name)
{
	if (name == NULL)
		return 0;
	if (strcmp(name, "*") == 0)
		return 1;
	/* The same rule as hsd_subsystem_name_valid() in daemon/policy.c; kept
	 * here too so that this file stands alone (registry_test checks that
	 * both agree). */
	if (name[0] == '\0' || name[0] == '-')
		return 0;
	size_t i = 0;
	for (; name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];
		if (i >= HSD_GRANT_MAX)
			return 0;
		if (!is_alnum(c) && c != '.' && c != '_' && c != '@' && c != '-')
			return 0;
	}
	return 1;
}

int hsd_fingerprint_parse(const char *in, char out[HSD_FINGERPRINT_SIZE])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	if (in == NULL)
		return -1;
	const char *body = strncmp(in, "SHA256:", 7) == 0 ? in + 7 : in;
	if (strlen(body) != 43 || strspn(body, b64) != 43)
		return -1;
	snprintf(out, HSD_FINGERPRINT_SIZE, "SHA256:%s", body);
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3u : 9u)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse: year, month, day of a day number. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int hsd_date_parse(const char *text, int64_t *out)
{
	unsigned y, m, d;
	if (text == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return -1;
	if (digits(text, 4, &y) != 0 || digits(text + 5, 2, &m) != 0 || digits(text + 8, 2, &d) != 0)
		return -1;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*out = days_from_civil(y, m, d) * 86400;
	return 0;
}

/* Clamp t into years 0000..9999 so every field prints in its width. */
static int64_t clamp_time(int64_t t)
{
	static const int64_t lo = -62167219200LL; /* 0000-01-01T00:00:00Z */
	static const int64_t hi = 253402300799LL; /* 9999-12-31T23:59:59Z */
	return t < lo ? lo : t > hi ? hi : t;
}

static void split(int64_t t, int64_t *y, unsigned *mo, unsigned *d, unsigned *secs)
{
	t = clamp_time(t);
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	*secs = (unsigned)(t - days * 86400);
	civil_from_days(days, y, mo, d);
}

/* Write n decimal digits of v, zero-padded. */
static void put_digits(char *p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

void hsd_date_format(int64_t t, char out[HSD_DATE_SIZE])
{
	int64_t y;
	unsigned mo, d, secs;
	split(t, &y, &mo, &d, &secs);
	put_digits(out, (unsigned)y, 4);
	out[4] = '-';
	put_digits(out + 5, mo, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = '\0';
}

void hsd_time_format(int64_t t, char out[HSD_TIME_SIZE])
{
	int64_t y;
	unsigned mo, d, secs;
	split(t, &y, &mo, &d, &secs);
	hsd_date_format(t, out);
	out[10] = 'T';
	put_digits(out + 11, secs / 3600, 2);
	out[13] = ':';
	put_digits(out + 14, secs / 60 % 60, 2);
	out[16] = ':';
	put_digits(out + 17, secs % 60, 2);
	out[19] = 'Z';
	out[20] = '\0';
}

/* Length of the printable UTF-8 character at s[0..left), or 0 if the bytes
 * there are not one (malformed, overlong, surrogate, beyond U+10FFFF, or a
 * control character). */
static size_t char_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return c >= 0x20 && c != 0x7f ? 1 : 0;
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		if (c == 0xc2)
			lo = 0xa0; /* U+0080..U+009F are the C1 controls */
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* beyond U+10FFFF */
	} else {
		return 0;
	}
	if (left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

int hsd_text_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t n = char_len(p + i, len - i);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

void hsd_text_sanitize(char *out, size_t outlen, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, o = 0;
	while (i < len) {
		size_t n = char_len(p + i, len - i);
		size_t take = n == 0 ? 1 : n;
		if (o + take > outlen - 1)
			break;
		if (n == 0) {
			out[o] = '?';
		} else {
			memcpy(out + o, s + i, n);
		}
		o += take;
		i += take;
	}
	out[o] = '\0';
}
