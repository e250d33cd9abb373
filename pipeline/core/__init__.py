"""The bottom layer: facts every other layer shares (ID numbers, months, money text, the codes of
reasons, components and input kinds, the stop error, fast column operations). It imports nothing
from the rest of `pipeline` nor from `schemas`, so everything can import downward from it."""
