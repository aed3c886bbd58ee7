gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --domain - 06:00.0 < tests/libvirt/domains/q35-default-defined.xml
