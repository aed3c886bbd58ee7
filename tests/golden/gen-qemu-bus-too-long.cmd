gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --bus pcie-expander-bus-number-one-on-numa-node-1 04:00.0
