// zlib, for reading gzip-compressed IDX files (Debian ships Fashion-MNIST as .gz).
#include <zlib.h>
