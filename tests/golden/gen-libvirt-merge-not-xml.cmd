gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --domain examples/gpu-workstation.lspci 04:00.0
