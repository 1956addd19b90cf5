# Sourced by ./xai and deploy/standalone/local-cluster.sh before any JVM that loads libtorch starts.
# libtorch 2.7.1's oneDNN crashes with SIGFPE (brgemm_convolution_bwd_utils::brg_blocking_t::est_eff_1x1)
# in the backward pass of a 1x1 convolution on AMD family 26 (Zen 5) processors under a hypervisor,
# as seen on these machines: the AVX2/AVX-512 brgemm kernels' blocking heuristics divide by a cache
# figure the virtual CPU reports as zero. Capping oneDNN's instruction set at AVX takes the older jit
# kernels (checked: the torchvision import tests pass with AVX and SSE41, crash with AVX2, AVX2_VNNI and
# AVX512_CORE_VNNI). Set ONEDNN_MAX_CPU_ISA yourself to override; executors of a cluster need the same
# setting in spark.executorEnv.ONEDNN_MAX_CPU_ISA when their nodes are such machines.
# With AVX, a kernel's first run can also read uninitialised memory (a NaN map, docs/sizing.md "Virtual
# CPUs and oneDNN"); the explain stage computes a non-finite batch again.
xai_cap_onednn_isa() {
  if [ -z "${ONEDNN_MAX_CPU_ISA:-}" ] && grep -q '^vendor_id.*AuthenticAMD' /proc/cpuinfo 2>/dev/null \
      && grep -q '^cpu family[[:space:]]*: 26$' /proc/cpuinfo 2>/dev/null; then
    export ONEDNN_MAX_CPU_ISA=AVX
  fi
}
