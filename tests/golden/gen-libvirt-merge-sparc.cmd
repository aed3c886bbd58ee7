gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --domain - 04:00.0 < tests/golden/gen-libvirt-merge-sparc.xml
