probe5();
