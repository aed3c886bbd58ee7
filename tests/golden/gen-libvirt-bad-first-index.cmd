gen-libvirt-xml -F examples/gpu-workstation.lspci --first-index 0 04:00.0
