/* libzint's time to encode and rasterise a symbol, per case of benches/libzint_cases.tsv
 * (read on stdin): a fresh zint_symbol per iteration, ZBarcode_Encode_and_Buffer (encode,
 * then the bitmap with its human-readable text where the symbology has one, at scale 2,
 * as our PNG defaults), freed. Prints "name<TAB>microseconds" per case. Bench-only: built
 * by benches/libzint.sh against libzint-dev, never linked into the service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zint.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int once(int id, const char *data) {
    struct zint_symbol *s = ZBarcode_Create();
    s->symbology = id;
    s->scale = 1.0f; /* zint's scale 1 is 2 pixels per module, as our default */
    int err = ZBarcode_Encode_and_Buffer(s, (const unsigned char *) data, (int) strlen(data), 0);
    ZBarcode_Delete(s);
    return err;
}

int main(int argc, char **argv) {
    double min_time = argc > 1 ? atof(argv[1]) : 0.5;
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        line[strcspn(line, "\n")] = 0;
        char *name = strtok(line, "\t"), *id = strtok(NULL, "\t"), *ours = strtok(NULL, "\t"), *data = strtok(NULL, "\t");
        (void) ours;
        if (!name || !id || !data) continue;
        int err = once(atoi(id), data);
        if (err >= ZINT_ERROR) {
            printf("%s\terror %d\n", name, err);
            continue;
        }
        long n = 0;
        double t0 = now(), t;
        do {
            for (int k = 0; k < 100; k++) once(atoi(id), data);
            n += 100;
            t = now() - t0;
        } while (t < min_time);
        printf("%s\t%.2f\n", name, t / n * 1e6);
    }
    return 0;
}
