gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 3.1 05:00.0
