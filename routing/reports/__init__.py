"""The KPIs of L 3.1.5 and the monthly report: pure formulas over records.

May import `routing.orders`, `routing.followup`, `routing.enums`.
"""
