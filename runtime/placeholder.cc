namespace twinflow::runtime {}
