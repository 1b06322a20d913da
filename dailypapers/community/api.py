"""Write endpoints of this app in the JSON API (token auth: dailypapers/accounts/tokens.py)."""

from ninja import Router

router = Router()
