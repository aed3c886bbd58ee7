gen-libvirt-xml -F examples/gpu-workstation.lspci --libvirt-version nine 04:00.0
