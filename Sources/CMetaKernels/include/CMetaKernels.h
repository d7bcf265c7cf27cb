typedef int meta_kernels_placeholder;
