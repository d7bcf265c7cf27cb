#include "CMetaKernels.h"
