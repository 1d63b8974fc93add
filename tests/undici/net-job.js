netProbe();
