gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --libvirt-version 8.0 --domain tests/libvirt/domains/q35-default-defined.xml 04:00.0 05:00.0
