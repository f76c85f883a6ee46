"""Freedom in the World: the published totals rebuilt from the 25 questions."""
