probe --sysfs tests/out/sysfs/synth100.sysfs -n --all
