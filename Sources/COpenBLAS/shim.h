// OpenBLAS's CBLAS interface plus its runtime queries (core name, thread count).
#include <cblas.h>
