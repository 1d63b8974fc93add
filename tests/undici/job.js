probe();
