gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --plan tests/data/plans/bad-control.yaml
