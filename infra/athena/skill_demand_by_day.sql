-- Postings per day mentioning each skill, last 30 days (partition pruning on dt).
SELECT dt, skill, count(*) AS postings
FROM "${database}"."${postings}"
CROSS JOIN UNNEST(skills) AS t (skill)
WHERE dt >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d')
GROUP BY dt, skill
ORDER BY dt, postings DESC
