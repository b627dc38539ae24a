/*
 * Test helper (never part of the service): feeds lines to GS1's Barcode Syntax Engine and
 * prints its verdict, for tests/gs1_differential.rs. Built by scripts/gs1_engine.sh against
 * a copy of ../shared/reference/gs1-syntax-engine, with our Syntax Dictionary loaded at
 * start so both implementations judge by the same rules.
 *
 * Input, one per line:  MODE TAB PAYLOAD   (MODE: B bracketed, S scan data, D Digital Link)
 * Output, one per line: 1 TAB ai-data TAB scan-data TAB dl-uri   (valid; the engine's own
 *                       spellings, dl-uri empty when there is none)
 *                       0 TAB error message                         (invalid)
 */
#include <stdio.h>
#include <string.h>

#include "gs1encoders.h"

static void clean(char *s) {
	for (; *s; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
}

int main(int argc, char **argv) {
	static char line[16384], out[16384];
	gs1_encoder_init_status_t status = GS1_ENCODERS_INIT_SUCCESS;
	char msg[256] = "";
	gs1_encoder_init_opts_t opts = { sizeof(opts), gs1_encoder_iDEFAULT, &status, msg, sizeof(msg), NULL };
	gs1_encoder *ctx;

	if (argc > 1)
		opts.syntaxDictionary = argv[1];
	ctx = gs1_encoder_init_ex(NULL, &opts);
	if (!ctx || status != GS1_ENCODERS_INIT_SUCCESS) {
		fprintf(stderr, "gs1 driver: init failed (%d): %s\n", (int)status, msg);
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *payload = line + 2;
		bool ok;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n < 2 || line[1] != '\t') {
			printf("0\tdriver: bad input line\n");
			continue;
		}
		gs1_encoder_setSym(ctx, gs1_encoder_sGS1_128_CCA);
		switch (line[0]) {
		case 'B': ok = gs1_encoder_setAIdataStr(ctx, payload); break;
		case 'S': ok = gs1_encoder_setScanData(ctx, payload); break;
		case 'D': ok = gs1_encoder_setDataStr(ctx, payload); break;
		default: ok = false; break;
		}
		if (!ok) {
			strncpy(out, gs1_encoder_getErrMsg(ctx), sizeof(out) - 1);
			clean(out);
			printf("0\t%s\n", out);
		} else {
			const char *ai = gs1_encoder_getAIdataStr(ctx);
			static char ai_copy[16384], scan_copy[16384];
			const char *scan, *dl;
			strncpy(ai_copy, ai ? ai : "", sizeof(ai_copy) - 1);
			/* The engine's scan data for GS1-128 (]C1, GS separators); its DL URI when the
			   data has a primary key, else empty. */
			gs1_encoder_setSym(ctx, gs1_encoder_sGS1_128_CCA);
			scan = gs1_encoder_getScanData(ctx);
			strncpy(scan_copy, scan ? scan : "", sizeof(scan_copy) - 1);
			dl = gs1_encoder_getDLuri(ctx, NULL);
			printf("1\t%s\t%s\t%s\n", ai_copy, scan_copy, dl ? dl : "");
		}
		fflush(stdout);
	}
	gs1_encoder_free(ctx);
	return 0;
}
