gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --bus pcie.1 04:00.0
