-- Median advertised yearly salary per skill and currency, last 30 days (skills with >= 20 postings).
SELECT skill, salary_currency, count(*) AS postings,
       approx_percentile((salary_min + salary_max) / 2, 0.5) AS median_salary
FROM "${database}"."${postings}"
CROSS JOIN UNNEST(skills) AS t (skill)
WHERE dt >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')
  AND salary_min IS NOT NULL AND salary_max IS NOT NULL
GROUP BY skill, salary_currency
HAVING count(*) >= 20
ORDER BY postings DESC
