"""The words of the batch-size explorer's chart and table, in English and
in Chinese (d2lmini/explorer/chart.py)."""

LABELS = {  # the words on the chart and in the table, by language
    'en': {
        'batch': 'Batch size ',
        'lr': 'Learning rate ',
        'xaxis': 'x-axis ',
        'budget': 'Budget ',
        'examples': 'examples seen',
        'seconds': 'seconds of training',
        'epochs': 'epochs',
        'excess': 'loss above the least-squares loss',
        'chosen': 'chosen run',
        'gd': 'GD',
        'sgd': 'SGD',
        'run': 'run',
        'diverged': 'diverged',
        'none': 'none',
        'curves': 'The chosen run, GD and SGD, against ',
        'within': 'Loss reached within the budget, by batch size',
        'seconds_budget': '{:.2g} s of training',
        'examples_budget': 'one epoch ({:,} examples)',
        'description': 'Loss curves of minibatch SGD for a chosen batch '
        'size and learning rate, against GD and SGD; and the loss that each '
        'batch size reached within a budget.',
    },
    'zh': {
        'batch': '批量大小 ',
        'lr': '学习率 ',
        'xaxis': '横轴 ',
        'budget': '预算 ',
        'examples': '已处理的样本数',
        'seconds': '训练秒数',
        'epochs': '迭代周期',
        'excess': '损失减去最小二乘损失',
        'chosen': '所选的运行',
        'gd': '梯度下降',
        'sgd': '随机梯度下降',
        'run': '运行',
        'diverged': '发散',
        'none': '无',
        'curves': '所选的运行与梯度下降、随机梯度下降，横轴：',
        'within': '各批量大小在预算内达到的损失',
        'seconds_budget': '训练 {:.2g} 秒',
        'examples_budget': '一个迭代周期（{:,} 个样本）',
        'description': '所选批量大小和学习率的小批量随机梯度下降的损失曲线，'
        '与梯度下降和随机梯度下降对照；以及各批量大小在预算内达到的损失。',
    },
}
