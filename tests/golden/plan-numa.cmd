gen-qemu-args -F examples/gpu-workstation.lspci --plan tests/data/plans/numa.yaml
