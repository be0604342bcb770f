"""units — patrol cars, foot and e-bike patrols, fire apparatus; crews, terminals, positions."""
