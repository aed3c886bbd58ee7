gen-libvirt-xml -F examples/gpu-workstation.lspci --libvirt-version 3.0 04:00.0
