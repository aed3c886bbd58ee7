gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --bus pcie.1 --first-addr 4 --first-chassis 40 --all
