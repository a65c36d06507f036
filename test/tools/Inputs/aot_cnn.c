/* A C program that links the bundled CNN compiled ahead of time by
 * quant-compile (cnn.o, cnn.h) and libqlp_runtime.a, with no MLIR. It reads a
 * float32 .npy input, quantizes it with the parameters the header exports
 * (round half away from zero, then clamp, as quant-run does), runs the model
 * and prints the int8 outputs and their real values. */
#include "cnn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a little-endian float32 .npy (format 1.0) of exactly `count`
 * values. Returns 0 on success. */
static int read_npy_f32(const char *path, float *data, long count) {
  FILE *file = fopen(path, "rb");
  unsigned char preamble[10];
  if (!file || fread(preamble, 1, 10, file) != 10 ||
      memcmp(preamble, "\x93NUMPY", 6) != 0 || preamble[6] != 1) {
    fprintf(stderr, "aot_cnn: %s is not a version 1 .npy file\n", path);
    return 1;
  }
  unsigned length = preamble[8] | (preamble[9] << 8);
  char header[4096];
  if (length >= sizeof(header) || fread(header, 1, length, file) != length) {
    fprintf(stderr, "aot_cnn: bad .npy header in %s\n", path);
    return 1;
  }
  header[length] = 0;
  if (!strstr(header, "'<f4'") || strstr(header, "True")) {
    fprintf(stderr, "aot_cnn: %s is not C-ordered float32\n", path);
    return 1;
  }
  long got = (long)fread(data, sizeof(float), (size_t)count, file);
  fclose(file);
  if (got != count) {
    fprintf(stderr, "aot_cnn: %s holds %ld values, expected %ld\n", path, got,
            count);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: aot_cnn input.npy\n");
    return 2;
  }
  static float real[QLP_CNN_ARG0_ELEMENTS];
  static int8_t input[QLP_CNN_ARG0_ELEMENTS];
  static int8_t output[QLP_CNN_RESULT0_ELEMENTS];
  if (read_npy_f32(argv[1], real, QLP_CNN_ARG0_ELEMENTS))
    return 1;
  for (long i = 0; i < QLP_CNN_ARG0_ELEMENTS; ++i) {
    double q = round(real[i] / QLP_CNN_ARG0_SCALE) + QLP_CNN_ARG0_ZERO_POINT;
    q = q < QLP_CNN_ARG0_QMIN ? QLP_CNN_ARG0_QMIN : q;
    q = q > QLP_CNN_ARG0_QMAX ? QLP_CNN_ARG0_QMAX : q;
    input[i] = (int8_t)q;
  }
  qlp_cnn(input, output);
  printf("int8:");
  for (long i = 0; i < QLP_CNN_RESULT0_ELEMENTS; ++i)
    printf(" %d", output[i]);
  printf("\nreal:");
  for (long i = 0; i < QLP_CNN_RESULT0_ELEMENTS; ++i)
    printf(" %.6f",
           (output[i] - QLP_CNN_RESULT0_ZERO_POINT) * QLP_CNN_RESULT0_SCALE);
  printf("\n");
  return 0;
}
