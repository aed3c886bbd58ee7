gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 03:00 05:00.0 07:00
