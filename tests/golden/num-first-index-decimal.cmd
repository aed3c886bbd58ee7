gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --first-index 010 04:00.0
