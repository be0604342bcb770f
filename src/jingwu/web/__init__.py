"""web — the pages people use: login, the dispatcher's console, incident detail, map, crew terminal."""
