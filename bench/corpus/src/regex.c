/*
 * regex: a small backtracking regular-expression matcher (literals, '.',
 * character classes [a-z0-9_], backslash escapes, the postfix operators '*', '+' and '?',
 * anchors '^' and '$') run over lines of generated text. Recursion,
 * byte loads and unpredictable branches.
 */
#include <string.h>
#include "common.h"

/* A pattern element: a set of bytes (256-bit map), repeated min..max times. */
struct elem {
	uint32_t set[8];
	int min, max; /* max < 0: unbounded */
};

struct regex {
	struct elem e[32];
	int n;
	int bol, eol;
};

static void set_add(struct elem *e, unsigned c) { e->set[c >> 5] |= 1u << (c & 31); }
static int set_has(const struct elem *e, unsigned c) { return (e->set[c >> 5] >> (c & 31)) & 1; }

static int compile(struct regex *re, const char *p) {
	memset(re, 0, sizeof *re);
	if (*p == '^') {
		re->bol = 1;
		p++;
	}
	while (*p) {
		if (p[0] == '$' && p[1] == 0) {
			re->eol = 1;
			break;
		}
		if (re->n == 32)
			return -1;
		struct elem *e = &re->e[re->n++];
		if (*p == '.') {
			for (unsigned c = 1; c < 256; c++)
				if (c != '\n')
					set_add(e, c);
			p++;
		} else if (*p == '[') {
			p++;
			while (*p && *p != ']') {
				if (p[1] == '-' && p[2] && p[2] != ']') {
					for (unsigned c = (unsigned char)p[0]; c <= (unsigned char)p[2]; c++)
						set_add(e, c);
					p += 3;
				} else {
					set_add(e, (unsigned char)*p++);
				}
			}
			if (*p != ']')
				return -1;
			p++;
		} else if (*p == '\\' && p[1]) {
			set_add(e, (unsigned char)p[1]);
			p += 2;
		} else {
			set_add(e, (unsigned char)*p++);
		}
		e->min = e->max = 1;
		if (*p == '*') {
			e->min = 0, e->max = -1, p++;
		} else if (*p == '+') {
			e->min = 1, e->max = -1, p++;
		} else if (*p == '?') {
			e->min = 0, e->max = 1, p++;
		}
	}
	return 0;
}

/* match_here reports whether elements i.. match a prefix of s (s ends at end). */
static int match_here(const struct regex *re, int i, const char *s, const char *end) {
	if (i == re->n)
		return !re->eol || s == end;
	const struct elem *e = &re->e[i];
	/* Greedy: take as many as allowed, then back off. */
	long k = 0;
	while ((e->max < 0 || k < e->max) && s + k < end && set_has(e, (unsigned char)s[k]))
		k++;
	for (; k >= e->min; k--)
		if (match_here(re, i + 1, s + k, end))
			return 1;
	return 0;
}

static int match(const struct regex *re, const char *s, const char *end) {
	if (re->bol)
		return match_here(re, 0, s, end);
	for (;; s++) {
		if (match_here(re, 0, s, end))
			return 1;
		if (s == end)
			return 0;
	}
}

static const char *words[] = {
	"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
	"lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
	"chi", "psi", "omega", "wasm", "pool", "slot", "page", "trap", "frame", "0x1f", "42",
	"user_id", "error:", "GET", "/index.html", "200", "404", "ms", "--",
};

static const char *patterns[] = {
	"error: [a-z]+",
	"^GET /[a-z]+\\.html",
	"[0-9][0-9]+ ms",
	"a.*b.*c",
	"user_id [0-9a-z_]+ 404",
	"s[a-z]*a$",
	"x?i+ o?m",
	"pool.*slot.*page.*trap",
};

int main(int argc, char **argv) {
	long nlines = size_arg(argc, argv, 10000);
	const int nw = sizeof words / sizeof words[0];
	const int np = sizeof patterns / sizeof patterns[0];
	struct regex res[8];
	for (int i = 0; i < np; i++)
		if (compile(&res[i], patterns[i]) != 0) {
			printf("regex: bad pattern %s\n", patterns[i]);
			return 1;
		}
	char line[512];
	long counts[8] = {0};
	uint32_t acc = 2166136261u;
	for (long l = 0; l < nlines; l++) {
		int len = 0, nwords = 4 + (int)(rng() % 12);
		for (int w = 0; w < nwords; w++) {
			const char *word = words[rng() % (uint32_t)nw];
			size_t wl = strlen(word);
			if (len + (int)wl + 2 >= (int)sizeof line)
				break;
			if (w > 0)
				line[len++] = ' ';
			memcpy(line + len, word, wl);
			len += (int)wl;
		}
		line[len] = 0;
		for (int i = 0; i < np; i++)
			if (match(&res[i], line, line + len)) {
				counts[i]++;
				sink(&acc, (uint32_t)(l * 8 + i));
			}
	}
	printf("regex %ld", nlines);
	for (int i = 0; i < np; i++)
		printf(" %ld", counts[i]);
	printf(" %08x\n", acc);
	return 0;
}
