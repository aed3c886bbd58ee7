probe --sysfs tests/out/sysfs/synth100.sysfs -n -o json 09:00.2
